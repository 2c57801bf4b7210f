{% macro record_operation(label) %}
  {% do run_query("create table if not exists " ~ target.schema ~ ".operations (label varchar(32), users int, at timestamp)") %}
  {% do run_query("insert into " ~ target.schema ~ ".operations select '" ~ label ~ "', count(*), getdate() from " ~ ref('users')) %}
  {% do log("recorded " ~ label, info=true) %}
{% endmacro %}
