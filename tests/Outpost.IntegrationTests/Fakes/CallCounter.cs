using System.Collections.Concurrent;
using System.Reflection;

namespace Outpost.IntegrationTests.Fakes;

/// <summary>
/// Counts the calls made to a service by method name and forwards them, so a test can wait until a background loop
/// has made another pass (a pass that changes nothing is otherwise invisible).
/// </summary>
public sealed class CallCounter
{
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);

    public int Count(string method) => _calls.GetValueOrDefault(method);

    /// <summary><paramref name="target"/> behind a proxy that counts each call before making it.</summary>
    public T Wrap<T>(T target)
        where T : class
    {
        var proxy = DispatchProxy.Create<T, Forwarder>();
        var forwarder = (Forwarder)(object)proxy;
        forwarder.Target = target;
        forwarder.Counter = this;
        return proxy;
    }

    /// <summary>Waits until <paramref name="method"/> was called <paramref name="times"/> more times than <paramref name="since"/>.</summary>
    public async Task WaitForCallsAsync(string method, int since, int times, int timeoutSeconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (Count(method) < since + times)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{method} was not called {times} more times within {timeoutSeconds} s");
            await Task.Delay(50);
        }
    }

    public class Forwarder : DispatchProxy
    {
        internal object Target { get; set; } = null!;

        internal CallCounter Counter { get; set; } = null!;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            Counter._calls.AddOrUpdate(targetMethod!.Name, 1, (_, n) => n + 1);
            try
            {
                return targetMethod.Invoke(Target, args);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
                throw;
            }
        }
    }
}
