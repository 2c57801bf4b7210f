{{ config(materialized='incremental', unique_key='id', on_schema_change='append_new_columns') }}
select id, name, plan from {{ ref('users') }}
{% if is_incremental() %}
where id >= 3
{% endif %}
