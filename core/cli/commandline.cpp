#include "commandline.h"

#include <QCoreApplication>

namespace rd {

int CommandLine::run(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    return 0;
}

} // namespace rd
