{{ config(materialized='view', bind=False) }}
select customer_id, sum(amount) as total, {{ dbt.current_timestamp() }} as computed_at
from {{ ref('orders_table') }}
group by customer_id
