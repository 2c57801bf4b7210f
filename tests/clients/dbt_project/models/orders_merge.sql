{{ config(materialized='incremental', unique_key='id', incremental_strategy='merge', dist='all') }}
select id, customer_id, amount, updated_at from {{ ref('raw_orders') }}
{% if is_incremental() %}
where updated_at > (select max(updated_at) from {{ this }})
{% endif %}
