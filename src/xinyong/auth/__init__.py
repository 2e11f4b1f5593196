"""Who acts: request context, roles and permissions, the audit log, personal-data crypto."""
