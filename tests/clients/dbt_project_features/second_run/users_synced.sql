{{ config(materialized='incremental', unique_key='id', on_schema_change='sync_all_columns') }}
select id, plan, upper(name) as shout from {{ ref('users') }}
{% if is_incremental() %}
where id >= 2
{% endif %}
