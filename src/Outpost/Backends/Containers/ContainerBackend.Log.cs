using Outpost.Operations;

namespace Outpost.Backends.Containers;

public sealed partial class ContainerBackend
{
    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.ContainerStarted, Level = LogLevel.Information, Message = "Started {Server} as container {Container} on port {Port}")]
        public static partial void Started(ILogger logger, string server, string container, int port);

        [LoggerMessage(EventId = LogEvents.ContainerRemoved, Level = LogLevel.Information, Message = "Stopped and removed container {Container}")]
        public static partial void Removed(ILogger logger, string container);

        [LoggerMessage(EventId = LogEvents.ContainerOrphan, Level = LogLevel.Warning, Message = "Container {Container} belongs to no stored server (removing: {Removing})")]
        public static partial void Orphan(ILogger logger, string container, bool removing);
    }
}
