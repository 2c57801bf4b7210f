{{ config(materialized='materialized_view', sort=['kind']) }}
select kind, min(occurred_at) as first_at, count(distinct date_trunc('day', occurred_at)) as days
from {{ ref('events') }}
group by kind
