using Outpost.Hosting;

// `outpost serve` runs the service; see OutpostApp for how it is put together and
// OutpostServiceCollectionExtensions.AddOutpost for what it is made of.
return await OutpostCommandLine.RunAsync(args);

public partial class Program;
