namespace ConvMixerNet.Training;

/// <summary>The pixels of each view a <see cref="TestTimeAugmentation"/> averages, made from a prepared batch.</summary>
internal static class TestTimeViews
{
    /// <summary>The views of <paramref name="batch"/>, the batch itself first; each is <c>Count * C * H * W</c> normalized floats.</summary>
    public static IEnumerable<float[]> Of(HostBatch batch, DataConfig data, TestTimeAugmentation augmentation)
    {
        yield return batch.Pixels;
        switch (augmentation)
        {
            case TestTimeAugmentation.HorizontalFlip:
                yield return batch.MirroredPixels();
                break;
            case TestTimeAugmentation.HorizontalFlipAndShifts:
                // Black, normalized: what the training's crop padding puts where a shift uncovers the border.
                var black = data.Mean.Zip(data.Std, (mean, std) => -mean / std).ToArray();
                yield return batch.MirroredPixels();
                for (var down = -1; down <= 1; down++)
                {
                    for (var right = -1; right <= 1; right++)
                    {
                        if (down == 0 && right == 0)
                        {
                            continue;
                        }

                        yield return batch.ShiftedPixels(down, right, black);
                        yield return batch.ShiftedPixels(down, right, black, mirror: true);
                    }
                }

                break;
        }
    }
}
