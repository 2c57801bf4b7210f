{{ config(materialized='table') }}
select customer_id, amount from {{ ref('raw_orders') }}
