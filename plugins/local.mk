# One local.mk per plugin, after the code they share.
include plugins/common/local.mk
include plugins/example/local.mk
include plugins/store_sqlite/local.mk
include plugins/registry_file/local.mk
include plugins/registry_freg/local.mk
include plugins/store_pgsql/local.mk
