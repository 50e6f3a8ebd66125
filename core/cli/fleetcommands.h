#pragma once

#include "verb.h"

#include <QCoreApplication>

namespace rd {

// "release status": the release each server of an environment runs, and which ones drift.
// Exit codes for scripts: 0 every server read and on the expected release, 6 (Conflict) when a
// server drifts, 7 (ServersFailed) when a server could not be read (this wins over drift).
class FleetCommands
{
    Q_DECLARE_TR_FUNCTIONS(FleetCommands)

public:
    static Verb statusVerb();
};

} // namespace rd
