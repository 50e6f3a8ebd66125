#pragma once

#include "verb.h"

#include <QCoreApplication>

namespace rd {

// "release start|plan|promote|abort|retry|resume|rollback|status|history|show|logs|run": release
// tasks from the command line, journalled like the app's, so either can pick up the other's task.
class ReleaseCommands
{
    Q_DECLARE_TR_FUNCTIONS(ReleaseCommands)

public:
    static CommandGroup group();
};

} // namespace rd
