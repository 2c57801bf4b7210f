{{ config(materialized='incremental', incremental_strategy='append') }}
select id, user_id, kind, occurred_at from {{ ref('events') }}
{% if is_incremental() %}
where id > (select max(id) from {{ this }})
{% endif %}
