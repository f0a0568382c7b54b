"""A local emulator of the Zuora Orders API (see `orderspec.emulator.server`)."""

from orderspec.emulator.server import FAULT_KINDS, Emulator, EmulatorConfig, Faults

__all__ = ["FAULT_KINDS", "Emulator", "EmulatorConfig", "Faults"]
