// `@aws-appsync/utils/rds` helpers and `util.rds`: filled in by the Postgres data source work.
export {};
