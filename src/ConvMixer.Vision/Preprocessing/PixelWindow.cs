namespace ConvMixerNet.Vision;

/// <summary>A rectangle of pixels: left column, top row, width and height.</summary>
public readonly record struct PixelWindow(int X, int Y, int Width, int Height);
