namespace ConvMixerNet.Vision;

/// <summary>How a class activation map is computed from the output A of the model's last ConvMixer layer.</summary>
public enum CamMethod
{
    /// <summary>
    /// Grad-CAM (Selvaraju et al., 2017), as pytorch-grad-cam computes it: channel weights w = the spatial mean of
    /// d logit / dA, map = ReLU(Σ_k w_k A_k). Explains one class. Needs gradients (the TorchSharp backend).
    /// </summary>
    GradCam,

    /// <summary>
    /// EigenCAM (Muhammad and Yeasin, 2020): A's first principal component over positions, with pytorch-grad-cam's
    /// sign correction, then ReLU. Needs no gradients, so it also runs on ONNX Runtime (for models exported with
    /// their last layer's output); the map does not depend on the class.
    /// </summary>
    EigenCam,
}
