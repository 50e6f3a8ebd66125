#include "cli/commandline.h"
#include "git/gitlibrary.h"
#include "ssh/sshlibrary.h"

int main(int argc, char *argv[])
{
    const rd::SshLibrary ssh;
    const rd::GitLibrary git;
    return rd::CommandLine::run(argc, argv);
}
