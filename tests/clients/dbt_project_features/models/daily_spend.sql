{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='day',
          batch_size='day', begin='2024-01-01') }}
select date_trunc('day', occurred_at) as day, count(*) as events, sum(amount) as spent
from {{ ref('events') }}
group by 1
