using System.Xml.Linq;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Security;

/// <summary>
/// Stores the data-protection key ring in Fleet's database (the EF Core data-protection package does not restore
/// here). The data-protection system reads all elements and appends new ones; it never updates or deletes.
/// </summary>
internal sealed class DatabaseXmlRepository(IDbContextFactory<FleetDbContext> contexts) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var db = contexts.CreateDbContext();
        return db.DataProtectionKeys.AsNoTracking().OrderBy(k => k.Id).Select(k => k.Xml).ToList().Select(XElement.Parse).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var db = contexts.CreateDbContext();
        db.DataProtectionKeys.Add(new DataProtectionKeyEntity { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        db.SaveChanges();
    }
}
