select id from {{ ref('orders_table') }} where amount < 0
