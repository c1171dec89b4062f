using ConvMixerNet.Server;

// dotnet run --project src/ConvMixer.Server -c Release -- --weights PATH_OR_FOLDER --urls http://127.0.0.1:5000
var app = ServerApp.Create(args);
app.Run();
