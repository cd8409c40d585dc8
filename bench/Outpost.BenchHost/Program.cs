using Outpost.Bench.Hosts;

// `Outpost.BenchHost outpost|bare --urls URL ...`: one measured process, started by the bench (bench/Outpost.Bench).
return await BenchHost.RunAsync(args);
