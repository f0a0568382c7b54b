"""A local emulator of the Zuora Orders API (see `orderspec.emulator.server`)."""

from orderspec.emulator.faults import FAULT_KINDS, Faults
from orderspec.emulator.server import Emulator, EmulatorConfig

__all__ = ["FAULT_KINDS", "Emulator", "EmulatorConfig", "Faults"]
