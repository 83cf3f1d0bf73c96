// Node processes, etcd and Docker are shared machine resources: the tests of this assembly run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
