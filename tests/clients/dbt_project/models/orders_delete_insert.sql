{{ config(materialized='incremental', unique_key='id', incremental_strategy='delete+insert') }}
select id, customer_id, amount, updated_at, {{ dbt.dateadd('day', 30, 'updated_at') }} as due_at
from {{ ref('raw_orders') }}
{% if is_incremental() %}
where updated_at > (select max(updated_at) from {{ this }})
{% endif %}
