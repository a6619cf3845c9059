/**
 * Learning-rate schedules. An {@link dev.kiln.optim.schedule.LrSchedule} is a pure function
 * from a group's initial rate and a step number to a rate ({@link
 * dev.kiln.optim.schedule.StepLR}, {@link dev.kiln.optim.schedule.CosineAnnealingLR},
 * {@link dev.kiln.optim.schedule.LinearWarmup} in front of another,
 * {@link dev.kiln.optim.schedule.WarmupCosine} for language models); an
 * {@link dev.kiln.optim.schedule.LrScheduler} applies one to an optimizer's groups step by step.
 * Being functions of the step alone, schedules resume exactly from a checkpointed step.
 */
package dev.kiln.optim.schedule;
