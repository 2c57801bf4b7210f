{{ config(materialized='materialized_view', dist='user_id', sort=['user_id'], backup=False, auto_refresh=False) }}
select user_id, count(*) as events, sum(amount) as spent
from {{ ref('events') }}
group by user_id
