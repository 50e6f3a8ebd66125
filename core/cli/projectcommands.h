#pragma once

#include "verb.h"

#include <QCoreApplication>

namespace rd {

// project list | show | add | edit | remove
class ProjectCommands
{
    Q_DECLARE_TR_FUNCTIONS(ProjectCommands)

public:
    static CommandGroup group();
};

} // namespace rd
