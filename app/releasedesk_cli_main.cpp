#include "cli/commandline.h"
#include "ssh/sshlibrary.h"

int main(int argc, char *argv[])
{
    const rd::SshLibrary ssh;
    return rd::CommandLine::run(argc, argv);
}
