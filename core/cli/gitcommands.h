#pragma once

#include "verb.h"

#include <QCoreApplication>

namespace rd {

// "mirror fetch", "refs branches|tags|commits|resolve" and "diff show|commits|files": a project's
// local mirror and what a release from one commit to another sends out. Only fetch uses the network.
class GitCommands
{
    Q_DECLARE_TR_FUNCTIONS(GitCommands)

public:
    static CommandGroup mirrorGroup();
    static CommandGroup refsGroup();
    static CommandGroup diffGroup();
};

} // namespace rd
