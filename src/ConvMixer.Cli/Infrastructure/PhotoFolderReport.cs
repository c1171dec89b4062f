using System.Globalization;
using Spectre.Console;

namespace ConvMixerNet.Cli;

/// <summary><c>train</c> on an image folder of photos (Training's <see cref="PhotoFolderData"/>): what the terminal shows after training.</summary>
internal static class PhotoFolderReport
{
    /// <summary>
    /// After training: how long the training loop waited for decoded batches, and the files the workers could not read
    /// (stderr, with their reasons) and their count.
    /// </summary>
    public static void AfterTraining(ImageDataset train)
    {
        if (train is not StreamingImageDataset streamed)
        {
            return;
        }

        Terminal.Out.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"Waited {streamed.DataWait.TotalSeconds:F1} s for decoded batches ({streamed.Workers} workers).")));
        if (streamed.Skipped.Count == 0)
        {
            return;
        }

        foreach (var skipped in streamed.Skipped)
        {
            Console.Error.WriteLine($"warning: skipped {skipped.Path}: {skipped.Reason}");
        }

        Terminal.Out.MarkupLine($"[yellow]{streamed.Skipped.Count} unreadable image(s) skipped[/] (listed on stderr).");
    }
}
