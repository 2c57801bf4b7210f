{{ config(materialized='materialized_view', dist='even', auto_refresh=True) }}
select kind, count(*) as events
from {{ ref('events') }}
group by kind
