// Fault scenarios stop and start the shared RabbitMQ node and PostgreSQL cluster, kill processes and raise broker
// alarms: one at a time, and the test script runs this project alone (-m:1).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
