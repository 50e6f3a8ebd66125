// The Ansible Ini inventory importer.
#include "ansiblefuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rd::fuzz::importAnsible(data, size, rd::AnsibleInventory::Format::Ini);
    return 0;
}
