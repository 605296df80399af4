"""The processes and their supervisor: ``make run`` (:mod:`bot.processes.stack`), ``make run-cluster``
(:mod:`bot.processes.cluster`), restarts (:mod:`bot.processes.supervisor`) and the throwaway PostgreSQL,
Redis and nginx servers of the tests and the cluster (:mod:`bot.processes.local_servers`)."""
