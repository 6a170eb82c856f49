// The `embedded` test group: the same flow tests, on the embedded default (in-process bus,
// in-memory TTL store, SQLite) instead of RabbitMQ, Redis and MySQL (see startSuite).
process.env.OUTBAND_TEST_EMBEDDED = '1';
