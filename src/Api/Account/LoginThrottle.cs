using System.Threading.RateLimiting;
using Fleet.Api.Configuration;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Account;

/// <summary>
/// Login attempts per account (<c>Fleet:RateLimits:LoginPerAccountPerMinute</c>), from every address together: the
/// per-client limit alone lets guesses at one account come from many addresses. Every attempt counts, right or wrong,
/// for known and unknown names alike (a difference would tell which names exist). The price: someone hammering an
/// account's name keeps its owner out until they stop (docs/operations.md, "Sign-in").
/// </summary>
public sealed class LoginThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public LoginThrottle(IOptions<FleetOptions> options)
    {
        var permits = options.Value.RateLimits.LoginPerAccountPerMinute;
        _limiter = PartitionedRateLimiter.Create<string, string>(account => RateLimitPartition.GetFixedWindowLimiter(account, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));
    }

    /// <summary>Counts an attempt for <paramref name="userName"/> (normalised); false when the account is over its limit.</summary>
    public bool TryAttempt(string userName)
    {
        using var lease = _limiter.AttemptAcquire(userName);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
