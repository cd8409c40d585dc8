using Outpost.Backends;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddBackends(builder.Configuration);
var app = builder.Build();
app.MapGet("/ping", () => new { ping = "pong!" });
app.Run();

public partial class Program;
