// @wirekit/testing: the in-memory channel and contract-test harness are built in the testing issue; until then
// the package exports nothing.
export {};
