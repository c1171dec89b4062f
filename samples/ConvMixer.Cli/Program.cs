using ConvMixerNet.Cli;

return CommandLineApp.Run(args);
