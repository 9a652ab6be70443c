// Tests run in a fixed time zone so that date logic is checked the way production sees it.
process.env.TZ = 'Europe/Oslo';
process.env.NODE_ENV = process.env.NODE_ENV ?? 'test';
