{% snapshot customers_snapshot %}
{{ config(target_schema='snapshots', unique_key='id', strategy='timestamp', updated_at='updated_at') }}
select id, name, country, updated_at from {{ ref('customers') }}
{% endsnapshot %}
