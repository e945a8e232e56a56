/*
 * Stand-in bcryptprimitives.dll for running the Windows executables under Wine 8 in CI.
 *
 * Rust's standard library (1.78 and later) imports ProcessPrng from bcryptprimitives.dll for its
 * random seeds (HashMap). Windows 10 and later have that DLL; Wine 8 does not, so a Rust .exe fails
 * to start there (exit status 53, "DLL not found"). This file exports ProcessPrng and fills the
 * buffer with RtlGenRandom (SystemFunction036 in advapi32), which Wine implements.
 *
 * Test scaffolding only: .ci/wine-check compiles it next to the executables it runs under Wine.
 * It is never shipped; real Windows uses its own bcryptprimitives.dll.
 *
 *   x86_64-w64-mingw32-gcc -O2 -s -shared -o bcryptprimitives.dll bcryptprimitives.c -ladvapi32
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* Same contract as the real one: fill data[0..length) with random bytes; TRUE on success. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
