{{ config(materialized='table', dist='even', sort_type='interleaved', sort=['country', 'orders']) }}
select c.country, count(*) as orders, sum(o.amount) as total
from {{ ref('orders_table') }} o
join {{ ref('stg_customers') }} c on c.customer_id = o.customer_id
group by c.country
