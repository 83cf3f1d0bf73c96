namespace PhysarumSM.Grains.Instances;

/// <summary>Marks a silo that runs containers; why: silos without it drop the instance grain class, so placement never picks them.</summary>
internal sealed class AllocatorRole;
