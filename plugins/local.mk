# One local.mk per plugin.
include plugins/example/local.mk
include plugins/store_sqlite/local.mk
include plugins/registry_file/local.mk
include plugins/registry_freg/local.mk
include plugins/store_pgsql/local.mk
