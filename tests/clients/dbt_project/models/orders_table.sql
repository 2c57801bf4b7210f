{{ config(materialized='table', dist='customer_id', sort=['updated_at', 'id'],
          grants={'select': ['dbt_reader']}) }}
select o.id, o.customer_id, c.name as customer_name, o.amount, o.updated_at
from {{ ref('raw_orders') }} o
join {{ ref('stg_customers') }} c on c.customer_id = o.customer_id
