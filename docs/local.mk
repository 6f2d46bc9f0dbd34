dist_doc_DATA += docs/plugin-authors.md docs/registry.md docs/store.md docs/selfservice.md docs/authorization.md
dist_doc_DATA += docs/sysadmin.md docs/portal-developers.md
