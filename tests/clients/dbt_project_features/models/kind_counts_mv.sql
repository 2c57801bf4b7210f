{{ config(materialized='materialized_view', dist='even', auto_refresh=False) }}
select kind, count(*) as events
from {{ ref('events') }}
group by kind
