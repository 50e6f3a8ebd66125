#include "cli/commandline.h"

int main(int argc, char *argv[])
{
    return rd::CommandLine::run(argc, argv);
}
