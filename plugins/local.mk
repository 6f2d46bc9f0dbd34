# One local.mk per plugin.
include plugins/example/local.mk
